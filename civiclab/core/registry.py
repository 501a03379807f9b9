"""Registries: how a lower floor reads what higher floors add, without importing them.

A lower floor owns a `Registry` (the comment targets, a page's sections, the header's counters,
the export sections); each higher domain fills it from its `connect()` when the app is built, so
the lower floor never imports the higher one and nothing registers itself by being imported.
"""


class Registry:
    """Named entries, in the order they were added. Adding the same entry again (a second app in
    the same process) is a no-op; adding another under a taken name is a mistake."""

    def __init__(self, what):
        self.what = what
        self._entries = {}

    def add(self, name, entry):
        known = self._entries.get(name)
        if known is not None and known != entry:
            raise ValueError(f"{self.what}: {name!r} is already registered")
        self._entries[name] = entry
        return entry

    def __getitem__(self, name):
        return self._entries[name]

    def get(self, name, default=None):
        return self._entries.get(name, default)

    def __contains__(self, name):
        return name in self._entries

    def __iter__(self):
        return iter(self._entries)

    def items(self):
        return self._entries.items()

    def values(self):
        return self._entries.values()

    def __len__(self):
        return len(self._entries)
