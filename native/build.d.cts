// Types for build.cjs (plain JS: it runs at `npm install`, before anything is compiled).
export declare class AddonBuildError extends Error {}
export declare function addonHash(): string;
export declare function buildAddon(opts?: { force?: boolean; quiet?: boolean }): string;
