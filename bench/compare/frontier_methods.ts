// The frontier methods of the comparison by name: what a user could do instead of compressing the big model —
// train a small model of the same architecture from scratch (alone, or taught by the big model) and let sqz
// quantize it to the target. Shared by the runner, the report and the findings.
export const SMALL_FROM_SCRATCH = 'small model from scratch';
export const SMALL_DISTILLED = 'small model + distillation';
export const FRONTIER_METHODS: readonly string[] = [SMALL_FROM_SCRATCH, SMALL_DISTILLED];

export const isFrontierMethod = (method: string) => FRONTIER_METHODS.includes(method);

/** Adam's learning rate and batch for the small models: what the 5,272-weight CNN of issue 13 was trained with. */
export const SMALL_LR = 0.003;
export const SMALL_BATCH = 64;
