import { writeFileSync } from 'node:fs';
import { CONTRACT_TYPES_PATH, contractTypes } from './contract-document';

/** Writes shared/api/openapi.d.ts from the routes (run after changing a route or a view schema). */
writeFileSync(CONTRACT_TYPES_PATH, await contractTypes());
console.log(`wrote ${CONTRACT_TYPES_PATH}`);
