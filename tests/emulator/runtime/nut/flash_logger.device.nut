// A small record logger on the SPI flash (our own, written for the emulator's tests).
// A record is a 16-bit little-endian length then that many bytes; an erased length (0xFFFF) ends the log.
// Records survive restarts because the flash does; erase() starts again (sectors back to 0xFF).
class FlashLogger {
    _flash = null;
    _start = 0;
    _end = 0;
    _pos = 0;

    constructor(start, sectors) {
        _flash = hardware.spiflash;
        _flash.enable();
        _start = start;
        _end = start + sectors * 4096;
        _pos = _scan();
    }

    function _length(at) {
        local head = _flash.read(at, 2);
        return head[0] | (head[1] << 8);
    }

    function _scan() {
        local at = _start;
        while (at + 2 <= _end) {
            local n = _length(at);
            if (n == 0xFFFF) break;
            at += 2 + n;
        }
        return at;
    }

    function write(record) {
        if (_pos + 2 + record.len() > _end) throw "FlashLogger: the log is full";
        local b = blob(2 + record.len());
        b.writen(record.len(), 'w');
        foreach (c in record) b.writen(c, 'b');
        _flash.write(_pos, b);
        _pos += b.len();
    }

    function erase() {
        for (local at = _start; at < _end; at += 4096) _flash.erasesector(at);
        _pos = _start;
    }

    function replay(callback) {
        local at = _start;
        while (at < _pos) {
            local n = _length(at);
            local body = _flash.read(at + 2, n);
            local text = "";
            foreach (c in body) text += format("%c", c);
            callback(text);
            at += 2 + n;
        }
    }

    function used() { return _pos - _start; }
}
