"""A small application that uses Redis, and the demo that judges its traffic."""
