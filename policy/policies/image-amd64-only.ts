import { imagePolicy } from "./image-policy";

export const imageAmd64Only = imagePolicy(
    "image-amd64-only",
    "The image must be built for linux/amd64 only, with platforms set explicitly (buildx otherwise builds for the host).",
);
