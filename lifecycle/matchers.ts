import { LifecycleSelection } from "./types";

/** Decides whether one tag satisfies one list entry; built once per rule, never per image. */
export type TagTest = (tag: string) => boolean;

/**
 * A tagPatternList entry: `*` matches any run of characters (also none), everything else is
 * literal and the whole tag must match ("prod*" matches prod, prod1, production-team1; "*prod*"
 * matches repo-production) — LifecyclePolicies.html, "Lifecycle policy evaluation rules".
 * Compiled to string operations instead of a RegExp: cheaper per call, and no escaping pitfalls.
 */
export function compilePattern(pattern: string): TagTest {
    const parts = pattern.split("*");
    if (parts.length === 1) return (tag) => tag === pattern;
    const head = parts[0];
    const tail = parts[parts.length - 1];
    const middle = parts.slice(1, -1).filter((p) => p.length > 0);
    const minLength = head.length + tail.length + middle.reduce((n, p) => n + p.length, 0);
    if (middle.length === 0) {
        if (tail === "") return head === "" ? () => true : (tag) => tag.startsWith(head);
        if (head === "") return (tag) => tag.endsWith(tail);
        return (tag) => tag.length >= minLength && tag.startsWith(head) && tag.endsWith(tail);
    }
    return (tag) => {
        if (tag.length < minLength || !tag.startsWith(head) || !tag.endsWith(tail)) return false;
        let from = head.length;
        const end = tag.length - tail.length;
        for (const piece of middle) {
            const at = tag.indexOf(piece, from);
            if (at < 0 || at + piece.length > end) return false;
            from = at + piece.length;
        }
        return true;
    };
}

/** A tagPrefixList entry is a literal prefix. */
export function compilePrefix(prefix: string): TagTest {
    return (tag) => tag.startsWith(prefix);
}

/** The entry tests of a tagged rule (empty for untagged/any rules). */
export function compileTagTests(selection: LifecycleSelection): TagTest[] {
    if (selection.tagPatternList !== undefined) return selection.tagPatternList.map(compilePattern);
    if (selection.tagPrefixList !== undefined) return selection.tagPrefixList.map(compilePrefix);
    return [];
}

/**
 * A tagged rule selects an image when EVERY entry of its list matches at least one of the
 * image's tags (AND across entries, any tag per entry) — LifecyclePolicies.html and the
 * "Filtering on multiple tags in a single rule" examples.
 */
export function tagsSatisfy(tests: readonly TagTest[], tags: readonly string[]): boolean {
    if (tags.length === 0) return false;
    for (const test of tests) {
        let matched = false;
        for (const tag of tags) {
            if (test(tag)) {
                matched = true;
                break;
            }
        }
        if (!matched) return false;
    }
    return true;
}
