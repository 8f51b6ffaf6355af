// `node --import ./bench/node/register.mjs script.mjs`: run src/**/*.ts directly.
import { register } from 'node:module';
register('./ts-hooks.mjs', import.meta.url);
