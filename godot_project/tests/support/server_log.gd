extends "res://tests/support/signal_log.gd"
## The former name of SignalLog's server side, kept so that tests written
## against it still load: SignalLog itself has the per-id queries
## (count_for, args_for, ids_of, last_connected_id) now.
