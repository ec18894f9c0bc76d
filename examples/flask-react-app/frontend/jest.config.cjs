// jest + React Testing Library in jsdom; node-ci adds the JUnit and coverage reporters.
module.exports = {
  testEnvironment: "jsdom",
  collectCoverageFrom: ["src/**/*.{js,jsx}", "!src/main.jsx"],
};
