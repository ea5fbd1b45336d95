import type { ImageFacts, JudgmentConfig, Violation } from "../types";
import { builtStageLine } from "./location";

const POLICY = "image-oci-labels" as const;
export const CREATED_LABEL = "org.opencontainers.image.created";

export const DEFAULT_REQUIRED_LABELS: readonly string[] = Object.freeze([
    "org.opencontainers.image.title",
    "org.opencontainers.image.source",
    "org.opencontainers.image.revision",
    CREATED_LABEL,
    "org.opencontainers.image.version",
]);

/**
 * Each required label must be present and non-empty in the labels the image
 * would carry; `created` must be an RFC 3339 date-time (OCI image spec,
 * annotations) whenever it is set.
 */
export function imageOciLabels(facts: ImageFacts, config: JudgmentConfig): Violation[] {
    const required = config.requiredLabels ?? DEFAULT_REQUIRED_LABELS;
    const violations: Violation[] = [];
    for (const key of required) {
        const value = Object.prototype.hasOwnProperty.call(facts.labels, key) ? facts.labels[key] : undefined;
        const line = facts.labelLines[key] ?? builtStageLine(facts);
        if (value === undefined) {
            violations.push({ policy: POLICY, line, message: `required label ${key} is missing` });
        } else if (value.trim() === "") {
            violations.push({ policy: POLICY, line, message: `required label ${key} is empty` });
        }
    }
    const created = facts.labels[CREATED_LABEL];
    if (created !== undefined && created.trim() !== "" && !isRfc3339DateTime(created)) {
        violations.push({
            policy: POLICY,
            line: facts.labelLines[CREATED_LABEL] ?? builtStageLine(facts),
            message: `label ${CREATED_LABEL} is ${JSON.stringify(created)}, not an RFC 3339 date-time (e.g. 2024-05-01T12:00:00Z)`,
        });
    }
    return violations;
}

const RFC3339_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 section 5.6 date-time, with the calendar checks of section 5.7. */
export function isRfc3339DateTime(value: string): boolean {
    const m = RFC3339_DATE_TIME.exec(value);
    if (m === null) return false;
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
    if (hour > 23 || minute > 59 || second > 60) return false;
    if (m[9] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) return false;
    return true;
}

function daysInMonth(year: number, month: number): number {
    if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
    return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
