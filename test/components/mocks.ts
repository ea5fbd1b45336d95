/**
 * In-process Pulumi mocks for component tests, answering like the embedded
 * engine's MockCloud and recording every registration. Each test file calls
 * `useMocks()` in its own `before`, so files do not depend on each other's
 * runtime state.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockCloud } from "../../engine/mock-cloud";

export interface Registration {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

export interface MockSession {
    registrations: Registration[];
    find(type: string, name: string): Registration | undefined;
}

export async function useMocks(stack = "test"): Promise<MockSession> {
    const cloud = new MockCloud("eu-west-1");
    const registrations: Registration[] = [];
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registrations.push({ type: args.type, name: args.name, inputs: args.inputs });
                return cloud.newResource({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom });
            },
            call: (args) => cloud.call({ token: args.token, inputs: args.inputs }),
        },
        "shipshape",
        stack,
        false,
    );
    return {
        registrations,
        find: (type, name) => registrations.find((r) => r.type === type && r.name === name),
    };
}

/** An output's value once resolved (rejects if the output does). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}

/** Lets pending registrations reach the mock monitor. */
export async function settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}
