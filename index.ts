// The shipshape stack: ECR repositories and the images pushed to them, from the
// stack's `shipshape:*` configuration (see components/stack-config.ts).
import { runShipshapeProgram } from "./components/program";

const stack = runShipshapeProgram(__dirname);

/** Per image: the pushed image pinned by digest. */
export const imageRefs = stack.imageRefs;
/** Per image: the URL of its ECR repository. */
export const repositoryUrls = stack.repositoryUrls;
