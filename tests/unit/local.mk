# tests/unit: Check unit tests.
