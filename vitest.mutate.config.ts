import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The tests npm run mutate runs: all but those of the build scripts (they bundle and start the functions, which tells
// nothing about a mutant, and resolve paths that Stryker's sandbox changes).
export default mergeConfig(base, defineConfig({ test: { exclude: [...configDefaults.exclude, 'test/scripts/**'] } }));
