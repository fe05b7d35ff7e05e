#!/usr/bin/env node
export {};
//# sourceMappingURL=conformance-cli.d.ts.map