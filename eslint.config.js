import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.tools/**',
      'artifacts/**',
      'cache/**',
      'coverage/**',
      'typechain-types/**',
      '.next/**',
      'out/**',
      'next-env.d.ts',
      'lib/chain/deployments.ts',
      'bench/results/**',
      'public/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // chai assertions such as `expect(x).to.be.true` are expressions by design.
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
);
