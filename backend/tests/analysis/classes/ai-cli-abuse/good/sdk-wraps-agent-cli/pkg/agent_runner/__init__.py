from .run import ask
