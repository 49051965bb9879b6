// Lint rules for the reader widgets (ESLint flat config): `make lint` runs `eslint widgets`.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    rules: {
      eqeqeq: ["error", "smart"], // `== null` stands for null or undefined, nothing else loose
      "no-var": "error",
      "prefer-const": "error",
      "no-shadow": "error",
      "no-param-reassign": ["error", { props: false }],
      "no-unused-vars": ["error", { caughtErrors: "none" }],
      "object-shorthand": "error",
      // The house sizes: split a module before 400 lines and a function before 60.
      "max-lines": ["error", 400],
      "max-lines-per-function": ["error", { max: 60, skipBlankLines: true, skipComments: true }],
      "max-params": ["error", 6],
      "no-restricted-properties": ["error",
        { property: "outerHTML", message: "Build elements with h(); markup comes only from the API's sanitised `html`." },
        { property: "insertAdjacentHTML", message: "Build elements with h(); markup comes only from the API's sanitised `html`." },
        { object: "document", property: "write", message: "Build elements with h()." },
      ],
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
    },
  },
  {
    // The page code runs in browsers; the build and the tests run in Node.
    files: ["src/**/*.js"],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ["build.js", "eslint.config.js"],
    languageOptions: { globals: globals.node },
  },
  {
    // Tests run in Node with a happy-dom page installed as the browser globals (test/page.js).
    files: ["test/**/*.js"],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
];
