/**
 * The shipshape CrossGuard policy pack: wiring only. Each policy lives in
 * policies/<name>.ts and is importable without starting a server; constructing the
 * PolicyPack starts the gRPC server and prints the port (nothing may print before).
 */
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./policies";

new PolicyPack("shipshape", { enforcementLevel: "mandatory", policies: [...ALL_POLICIES] });
