"""Reading and changing cities and labs."""


def network_overview():
    return {}
