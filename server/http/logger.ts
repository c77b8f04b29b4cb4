import pino, { type Logger } from 'pino';

export function createLogger(level: string, pretty = false): Logger {
  return pino({
    level,
    base: { service: 'gaskit' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        '*.password',
        '*.token',
        '*.pin',
        '*.code',
      ],
      censor: '[redacted]',
    },
    ...(pretty ? { formatters: { level: (label: string) => ({ level: label }) } } : {}),
  });
}
