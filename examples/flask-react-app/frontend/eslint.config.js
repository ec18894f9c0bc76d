import js from "@eslint/js";
import react from "eslint-plugin-react";
import globals from "globals";

export default [
  { ignores: ["dist/", "coverage/", "node_modules/"] },
  js.configs.recommended,
  {
    files: ["**/*.{js,jsx}"],
    plugins: { react },
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      parserOptions: { ecmaFeatures: { jsx: true } },
      globals: { ...globals.browser, ...globals.jest },
    },
    settings: { react: { version: "detect" } },
    rules: { ...react.configs.recommended.rules, "react/react-in-jsx-scope": "off", "react/prop-types": "off" },
  },
  { files: ["*.cjs"], languageOptions: { sourceType: "commonjs", globals: globals.node } },
];
