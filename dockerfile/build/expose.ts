/**
 * EXPOSE values after expansion (BuildKit dockerfile2llb/convert_expose.go):
 * `[ip:][hostPort:]containerPort[-end][/proto]` to `port/proto` entries,
 * with upstream's errors for what it rejects.
 */
import { isIP } from "node:net";
import { goQuote } from "../shell/go-quote";

export function parseExposedPorts(rawPorts: readonly string[]): string[] {
    const out: string[] = [];
    for (const raw of rawPorts) out.push(...parsePort(raw));
    return out;
}

function parsePort(rawPort: string): string[] {
    const [hostIp, hostPort, containerPart] = splitParts(rawPort);
    const slash = containerPart.indexOf("/");
    const portText = slash < 0 ? containerPart : containerPart.slice(0, slash);
    let proto = slash < 0 ? "" : containerPart.slice(slash + 1);
    if (portText === "") throw new Error(`invalid port: ${goQuote(rawPort)}: no port specified`);
    switch (proto.toLowerCase()) {
        case "":
            proto = "tcp";
            break;
        case "tcp":
        case "udp":
        case "sctp":
            break;
        default:
            throw new Error(`invalid port: ${goQuote(rawPort)}: invalid proto: ${proto}`);
    }
    let ip = hostIp;
    if (ip.startsWith("[")) {
        if (!ip.endsWith("]")) throw new Error(`invalid IP address ${ip}`);
        ip = ip.slice(1, -1);
    }
    if (ip !== "" && isIP(ip) === 0) throw new Error(`invalid IP address: ${ip}`);

    const container = portRange(portText);
    if (container === undefined) throw new Error(`invalid containerPort: ${portText}`);
    if (hostPort !== "") {
        const host = portRange(hostPort);
        if (host === undefined) throw new Error(`invalid hostPort: ${hostPort}`);
        // a host range is allowed against a single container port (a range to allocate from)
        if (container[1] - container[0] !== host[1] - host[0] && container[1] !== container[0]) {
            throw new Error(`invalid ranges specified for container and host Ports: ${portText} and ${hostPort}`);
        }
    }
    const ports: string[] = [];
    for (let p = container[0]; p <= container[1]; p++) ports.push(`${p}/${proto.toLowerCase()}`);
    return ports;
}

function splitParts(raw: string): [string, string, string] {
    const parts = raw.split(":");
    switch (parts.length) {
        case 1:
            return ["", "", parts[0]];
        case 2:
            return ["", parts[0], parts[1]];
        default:
            return [parts.slice(0, -2).join(":"), parts[parts.length - 2], parts[parts.length - 1]];
    }
}

/** parsePortRange: `n` or `start-end`, 0..65535, end not before start. */
function portRange(text: string): [number, number] | undefined {
    const dash = text.indexOf("-");
    const startText = dash < 0 ? text : text.slice(0, dash);
    const endText = dash < 0 ? "" : text.slice(dash + 1);
    const start = portNumber(startText);
    if (start === undefined) return undefined;
    if (dash < 0 || startText === endText) return [start, start];
    const end = portNumber(endText);
    if (end === undefined || end < start) return undefined;
    return [start, end];
}

function portNumber(text: string): number | undefined {
    if (!/^[+-]?\d{1,19}$/.test(text)) return undefined;
    const n = Number(text);
    return n >= 0 && n <= 65535 ? n : undefined;
}
