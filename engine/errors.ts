/**
 * A plan that cannot be computed: a missing or broken stack file, a program
 * that throws, a policy pack that does not start. The CLI reports the message
 * as is (it already names the file or key) and exits 2.
 */
export class PlanInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlanInputError";
    }
}
