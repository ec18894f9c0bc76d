// The action's name, declared once: the prefix of its log lines and failures, its summary and SARIF tool name,
// and its fingerprints' namespace. Every module imports it from here (this module imports nothing).
export const ACTION = 'verdict';
