"""Test support shipped with crossroll: the pytest plugin and tool locators."""
