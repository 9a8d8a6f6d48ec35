export { TracewaySampler } from "./traceway-sampler.ts";
export type { TracewaySamplerOptions } from "./traceway-sampler.ts";
