// The git wrapper lives in the kit (packages/kit/src/git/git.ts): the plan action reads history too.
export { Git, revArgs } from '@platform-actions/kit';
