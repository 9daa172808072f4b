export * from "./auth";
export * from "./jobs";
export * from "./runs";
export * from "./files";
export * from "./audit";
