import { imagePolicy } from "./image-policy";

export const imageNonRootUser = imagePolicy(
    "image-non-root-user",
    "The image must run as a non-root user (the USER BuildKit would set, through stages and the base image's default).",
);
