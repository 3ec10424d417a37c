extends RefCounted
## WebSocket frames as raw bytes (RFC 6455 §5.2), written by hand so tests
## can send exactly what a broken or hostile peer would, and read exactly what
## our peer put on the wire.

const CONTINUATION := 0x0
const TEXT := 0x1
const BINARY := 0x2
const CLOSE := 0x8
const PING := 0x9
const PONG := 0xA

const RSV1 := 4
const RSV2 := 2
const RSV3 := 1


## One frame. rsv is the three reserved bits as a number (RSV1 = 4). A masked
## frame gets a random key. claimed_len >= 0 writes that length in the header
## whatever the payload is, to lie about the size.
static func build(opcode: int, payload := PackedByteArray(), fin := true, rsv := 0,
		mask := false, claimed_len := -1) -> PackedByteArray:
	var out := PackedByteArray()
	out.append((0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0xF))
	var n := claimed_len if claimed_len >= 0 else payload.size()
	var mask_bit := 0x80 if mask else 0
	if n < 126:
		out.append(mask_bit | n)
	elif n < 65536:
		out.append(mask_bit | 126)
		out.append((n >> 8) & 0xFF)
		out.append(n & 0xFF)
	else:
		out.append(mask_bit | 127)
		for i in range(7, -1, -1):
			out.append((n >> (8 * i)) & 0xFF)
	if not mask:
		out.append_array(payload)
		return out
	var key := Crypto.new().generate_random_bytes(4)
	out.append_array(key)
	out.append_array(apply_mask(payload, key))
	return out


## Payload of a close frame: the code big-endian, then the UTF-8 reason.
static func close_payload(code: int, reason := "") -> PackedByteArray:
	var p := PackedByteArray([(code >> 8) & 0xFF, code & 0xFF])
	p.append_array(reason.to_utf8_buffer())
	return p


static func apply_mask(data: PackedByteArray, key: PackedByteArray) -> PackedByteArray:
	var out := data.duplicate()
	for i in out.size():
		out[i] = out[i] ^ key[i % 4]
	return out


## Parses the frame that starts at offset in buf. Returns {} while the frame
## is incomplete, else {fin, rsv, opcode, masked, payload (unmasked), size
## (bytes it took)}.
static func parse_one(buf: PackedByteArray, offset := 0) -> Dictionary:
	var avail := buf.size() - offset
	if avail < 2:
		return {}
	var b0 := buf[offset]
	var b1 := buf[offset + 1]
	var masked := (b1 & 0x80) != 0
	var n := b1 & 0x7F
	var pos := offset + 2
	if n == 126:
		if avail < 4:
			return {}
		n = (buf[pos] << 8) | buf[pos + 1]
		pos += 2
	elif n == 127:
		if avail < 10:
			return {}
		n = 0
		for i in 8:
			n = (n << 8) | buf[pos + i]
		pos += 8
	var key := PackedByteArray()
	if masked:
		if buf.size() < pos + 4:
			return {}
		key = buf.slice(pos, pos + 4)
		pos += 4
	if buf.size() < pos + n:
		return {}
	var payload := buf.slice(pos, pos + n)
	if masked:
		payload = apply_mask(payload, key)
	return {
		"fin": (b0 & 0x80) != 0,
		"rsv": (b0 >> 4) & 7,
		"opcode": b0 & 0xF,
		"masked": masked,
		"payload": payload,
		"size": pos + n - offset,
	}


## Every complete frame at the front of buf, and the bytes after them:
## [frames, rest].
static func take_all(buf: PackedByteArray) -> Array:
	var frames := []
	var used := 0
	while true:
		var f := parse_one(buf, used)
		if f.is_empty():
			break
		used += f.size
		frames.append(f)
	return [frames, buf.slice(used)]


## The code of a close frame: 1005 when it carries none.
static func close_code(frame: Dictionary) -> int:
	var p: PackedByteArray = frame.payload
	return (p[0] << 8) | p[1] if p.size() >= 2 else 1005


static func close_reason(frame: Dictionary) -> String:
	var p: PackedByteArray = frame.payload
	return p.slice(2).get_string_from_utf8() if p.size() > 2 else ""


## The Sec-WebSocket-Accept answer to a Sec-WebSocket-Key (RFC 6455 §4.2.2).
static func accept_key(key: String) -> String:
	var ctx := HashingContext.new()
	ctx.start(HashingContext.HASH_SHA1)
	ctx.update((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").to_utf8_buffer())
	return Marshalls.raw_to_base64(ctx.finish())


## The value of header name (any case) in an HTTP head, or "".
static func header_value(head: String, name: String) -> String:
	for line in head.split("\r\n"):
		var colon := line.find(":")
		if colon > 0 and line.substr(0, colon).strip_edges().to_lower() == name.to_lower():
			return line.substr(colon + 1).strip_edges()
	return ""
