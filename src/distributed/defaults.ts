// Names every producer, worker and observer must agree on. In their own module so the CLI can
// show them in --help without loading BullMQ.
export const DEFAULT_QUEUE_NAME = 'genesys-transcripts';
/** BullMQ key prefix (its default is "bull"); keys are <prefix>:<queueName>:… */
export const DEFAULT_PREFIX = 'gt';
