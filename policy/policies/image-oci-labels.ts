import { imagePolicy } from "./image-policy";

export const imageOciLabels = imagePolicy("image-oci-labels", "The image must carry the required OCI labels, non-empty.");
