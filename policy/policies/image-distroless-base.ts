import { imagePolicy } from "./image-policy";

export const imageDistrolessBase = imagePolicy(
    "image-distroless-base",
    "The image must be built on an allowed minimal base (distroless, chainguard non-dev, or scratch).",
);
