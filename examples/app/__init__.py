"""An example service in the middle of retiring Redis/RQ as its system of record."""
