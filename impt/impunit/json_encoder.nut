// JSONEncoder with the API of Electric Imp's JSONEncoder library 2.x, written for impt's test sessions:
// JSONEncoder.encode(value) gives JSON text; an object with _serialize() is encoded through it.
// Copyright the electricimp.impcentral authors. GPL-3.0-or-later.

class JSONEncoder {
    static VERSION = "2.0.0";
    static _MAX_DEPTH = 32;

    function encode(value) {
        return ::JSONEncoder._encode(value, 0);
    }

    function _encode(value, depth) {
        if (depth > ::JSONEncoder._MAX_DEPTH) throw "Possible cyclic reference";
        local kind = typeof value;
        if (kind == "null") return "null";
        if (kind == "bool") return value ? "true" : "false";
        if (kind == "integer" || kind == "float") return value.tostring();
        if (kind == "string") return ::JSONEncoder._quote(value);
        if (kind == "array") {
            local text = "[";
            foreach (index, item in value) {
                text += (index > 0 ? "," : "") + ::JSONEncoder._encode(item, depth + 1);
            }
            return text + "]";
        }
        if (kind == "table") return ::JSONEncoder._object(value, depth);
        if (kind == "instance") {
            if ("_serialize" in value) return ::JSONEncoder._encode(value._serialize(), depth + 1);
            local fields = {};
            foreach (name, member in value.getclass()) {
                if (typeof member != "function") fields[name] <- value[name];
            }
            return ::JSONEncoder._object(fields, depth);
        }
        if (kind == "blob") return ::JSONEncoder._quote(value.tostring());
        return ::JSONEncoder._quote(value.tostring());
    }

    function _object(table, depth) {
        local text = "{";
        local first = true;
        foreach (key, item in table) {
            text += (first ? "" : ",") + ::JSONEncoder._quote(key.tostring()) + ":" + ::JSONEncoder._encode(item, depth + 1);
            first = false;
        }
        return text + "}";
    }

    function _quote(text) {
        local quoted = "\"";
        local start = 0;
        foreach (index, code in text) {
            local escaped = null;
            if (code == '"') escaped = "\\\"";
            else if (code == '\\') escaped = "\\\\";
            else if (code == '\n') escaped = "\\n";
            else if (code == '\r') escaped = "\\r";
            else if (code == '\t') escaped = "\\t";
            else if (code == 8) escaped = "\\b";
            else if (code == 12) escaped = "\\f";
            else if (code >= 0 && code < 32) escaped = format("\\u%04x", code);
            if (escaped != null) {
                quoted += text.slice(start, index) + escaped;
                start = index + 1;
            }
        }
        return quoted + text.slice(start) + "\"";
    }
}
