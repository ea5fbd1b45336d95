/** One path component of an ECR repository name: lowercase letters and digits, separated by `.`, `_` or `-`. */
const NAME_COMPONENT = "[a-z0-9]+(?:[._-][a-z0-9]+)*";

/** A single repository name component (a stack's image names end its repository names). */
export const REPOSITORY_NAME_COMPONENT_PATTERN = new RegExp(`^${NAME_COMPONENT}$`);
/** A repository name or name prefix: components separated by `/`. */
export const REPOSITORY_NAME_PATTERN = new RegExp(`^${NAME_COMPONENT}(?:/${NAME_COMPONENT})*$`);
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
