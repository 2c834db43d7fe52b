"""Adapter to redis-py and fakeredis: capture every command a client sends."""
