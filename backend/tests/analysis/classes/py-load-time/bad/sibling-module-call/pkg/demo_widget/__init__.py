from ._boot import init

init()
