export * from "./auth";
export * from "./jobs";
export * from "./runs";
export * from "./files";
export * from "./audit";
export * from "./connections";
export * from "./incremental";
export * from "./operations";
