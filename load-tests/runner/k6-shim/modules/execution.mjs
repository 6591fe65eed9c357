const state = () => globalThis.__k6exec ?? {};
export const scenario = {
  get name() {
    return state().scenario;
  },
  get iterationInTest() {
    return state().iterationInTest ?? 0;
  },
  get iterationInInstance() {
    return state().iterationInTest ?? 0;
  },
};
export const vu = {
  get idInTest() {
    return globalThis.__VU;
  },
  get idInInstance() {
    return globalThis.__VU;
  },
  get iterationInScenario() {
    return globalThis.__ITER;
  },
};
export default { scenario, vu };
