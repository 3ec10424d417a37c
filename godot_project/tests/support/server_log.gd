extends "res://tests/support/signal_log.gd"
## The name the server tests use for SignalLog, whose per-id queries
## (count_for, args_for, ids_of, last_connected_id) serve a RustWebSocketServer.
