import pywin.framework.interact


def show():
    pywin.framework.interact.ShowInteractiveWindow()
