/**
 * Docker's tag grammar, shared by every tag shipshape writes (versions, the cache tag). Also within the
 * characters ECR allows in a mutability exclusion filter, and without `*`, so the exclusion can never
 * cover more than the cache tag itself.
 */
export const IMAGE_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
