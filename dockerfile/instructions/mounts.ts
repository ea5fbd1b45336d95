/**
 * `RUN --mount=...` values (BuildKit instructions/commands_runmount.go). At
 * parse time only `from` is checked (it may not use variables); the full check
 * runs at dispatch with the stage's expander, as upstream.
 */
import { suggestion } from "./flags";

export type MountType = "bind" | "cache" | "tmpfs" | "secret" | "ssh";

export interface Mount {
    type: MountType;
    from: string;
    source: string;
    target: string;
    readOnly: boolean;
    required: boolean;
    cacheId: string;
    sharing: string;
}

const MOUNT_TYPES: readonly string[] = ["bind", "cache", "tmpfs", "secret", "ssh"];
const SHARING_MODES: readonly string[] = ["shared", "private", "locked"];
const MOUNT_KEYS: readonly string[] = [
    "type", "from", "source", "target", "readonly", "id", "sharing", "required", "size", "mode", "uid", "gid",
    "src", "dst", "destination", "ro", "rw", "readwrite", "env",
];


/**
 * Parses one `--mount` value. Without an expander, as at parse time upstream,
 * only the fields that need no expansion are looked at.
 */
export function parseMount(value: string, expand?: (word: string) => string): Mount {
    const fields = csvFields(value);
    const mount: Mount = { type: "bind", from: "", source: "", target: "", readOnly: false, required: false, cacheId: "", sharing: "" };
    let readOnlyAuto = true;
    let hasFileInfo: string | undefined;
    for (const field of fields) {
        const eq = field.indexOf("=");
        const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
        let val = eq < 0 ? "" : field.slice(eq + 1);
        if (eq < 0) {
            if (expand === undefined) continue;
            switch (key) {
                case "readonly":
                case "ro":
                    mount.readOnly = true;
                    readOnlyAuto = false;
                    continue;
                case "readwrite":
                case "rw":
                    mount.readOnly = false;
                    readOnlyAuto = false;
                    continue;
                case "required":
                    if (mount.type === "secret" || mount.type === "ssh") {
                        mount.required = true;
                        continue;
                    }
                    throw new Error(`unexpected key '${key}' for mount type '${mount.type}'`);
                default:
                    throw new Error(`invalid field '${field}' must be a key=value pair`);
            }
        }
        if (expand !== undefined) {
            val = expand(val);
        } else if (key === "from") {
            const dollar = val.indexOf("$");
            if (dollar !== -1 && dollar !== val.length - 1) {
                throw new Error(`'${key}' doesn't support variable expansion, define alias stage instead`);
            }
        } else {
            continue;
        }
        switch (key) {
            case "type": {
                const type = val.toLowerCase();
                if (!MOUNT_TYPES.includes(type)) throw new Error(`unsupported mount type "${val}"${suggestion(val, MOUNT_TYPES)}`);
                mount.type = type as MountType;
                break;
            }
            case "from":
                mount.from = val;
                break;
            case "source":
            case "src":
                mount.source = val;
                break;
            case "target":
            case "dst":
            case "destination":
                mount.target = val;
                break;
            case "readonly":
            case "ro":
                mount.readOnly = parseGoBool(key, val);
                readOnlyAuto = false;
                break;
            case "readwrite":
            case "rw":
                mount.readOnly = !parseGoBool(key, val);
                readOnlyAuto = false;
                break;
            case "required":
                if (mount.type !== "secret" && mount.type !== "ssh") throw new Error(`unexpected key '${key}' for mount type '${mount.type}'`);
                mount.required = parseGoBool(key, val);
                break;
            case "size":
                if (mount.type !== "tmpfs") throw new Error(`unexpected key '${key}' for mount type '${mount.type}'`);
                if (!/^\d+(\.\d+)* ?[kKmMgGtTpP]?[iI]?[bB]?$/.test(val)) throw new Error(`invalid value for ${key}: ${val}`);
                break;
            case "id":
                mount.cacheId = val;
                break;
            case "sharing": {
                const sharing = val.toLowerCase();
                if (!SHARING_MODES.includes(sharing)) throw new Error(`unsupported sharing value "${val}"${suggestion(val, SHARING_MODES)}`);
                mount.sharing = sharing;
                break;
            }
            case "mode":
                if (!/^[+-]?[0-7]+$/.test(val) && !/^[+-]?0[oO][0-7]+$/.test(val)) throw new Error(`invalid value ${val} for mode`);
                hasFileInfo ??= "mode";
                break;
            case "uid":
            case "gid":
                if (!/^\+?\d+$/.test(val) || Number(val) > 0xffffffff) throw new Error(`invalid value ${val} for ${key}`);
                hasFileInfo ??= key;
                break;
            case "env":
                break;
            default:
                throw new Error(`unexpected key '${key}' in '${field}'${suggestion(key, MOUNT_KEYS)}`);
        }
    }
    if (expand === undefined) return mount;

    const fileInfoAllowed = mount.type === "secret" || mount.type === "ssh" || mount.type === "cache";
    if (!fileInfoAllowed && hasFileInfo !== undefined) throw new Error(`${hasFileInfo} not allowed for "${mount.type}" type mounts`);
    if (readOnlyAuto) mount.readOnly = !(mount.type === "cache" || mount.type === "tmpfs");
    if (mount.type === "secret") {
        if (mount.from !== "") throw new Error("secret mount should not have a from");
        if (mount.sharing !== "") throw new Error("secret mount should not define sharing");
        if (mount.source === "" && mount.target === "" && mount.cacheId === "") throw new Error("invalid secret mount. one of source, target required");
        if (mount.source !== "" && mount.cacheId !== "") throw new Error("both source and id can't be set");
    }
    if (mount.sharing !== "" && mount.type !== "cache") throw new Error(`invalid cache sharing set for ${mount.type} mount`);
    return mount;
}

/** Go's strconv.ParseBool. */
function parseGoBool(key: string, value: string): boolean {
    if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
    throw new Error(`invalid value for ${key}: ${value}`);
}

/** One CSV record, RFC 4180 quoting (go-csvvalue, as upstream). */
function csvFields(line: string): string[] {
    const fields: string[] = [];
    let i = 0;
    for (;;) {
        let field = "";
        if (line[i] === '"') {
            i++;
            for (;;) {
                if (i >= line.length) throw new Error(`failed to parse csv mounts: extraneous or missing " in quoted-field`);
                const ch = line[i];
                if (ch === '"') {
                    if (line[i + 1] === '"') {
                        field += '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                field += ch;
                i++;
            }
            if (i < line.length && line[i] !== ",") throw new Error(`failed to parse csv mounts: extraneous or missing " in quoted-field`);
        } else {
            const end = line.indexOf(",", i);
            field = end < 0 ? line.slice(i) : line.slice(i, end);
            if (field.includes('"')) throw new Error(`failed to parse csv mounts: bare " in non-quoted-field`);
            i = end < 0 ? line.length : end;
        }
        fields.push(field);
        if (i >= line.length) return fields;
        i++; // the comma
    }
}
