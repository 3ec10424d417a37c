extends PanelContainer
## What the chat demo's server and client panels share: the status line, the
## error label and the log view, each of whose lines is also emitted as event
## (chat_headless.gd prints them). A panel's scene names those nodes %Status,
## %Error and %Log.

## Emitted for every line the panel logs.
signal event(text: String)

@onready var status_label: Label = %Status
@onready var error_label: Label = %Error
## The client's chat lines, the server's log.
@onready var log_view: RichTextLabel = %Log


## Adds line to the log view and emits it.
func _log(line: String) -> void:
	log_view.add_text(line + "\n")
	event.emit(line)


## Shows text in the error label and logs it.
func _show_error(text: String) -> void:
	_set_error(text)
	_log("error: " + text)


## The error label shows the last failure (get_last_error() or the signal's
## reason); an empty text hides it.
func _set_error(text: String) -> void:
	error_label.text = text
	error_label.visible = not text.is_empty()
