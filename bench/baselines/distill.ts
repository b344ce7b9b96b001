// Knowledge distillation settings for the small models bench/compare trains from scratch (Hinton et al. 2015). The
// loss and the teacher's targets are the compiler's own (compiler/compress/sgd.ts, distill.ts).

export interface Distillation {
  /** Weight of the teacher term (0: labels only, 1: teacher only). */
  alpha: number;
  /** Softmax temperature T of both teacher and student in the teacher term. */
  temperature: number;
}

/**
 * The bench's teacher term: mostly the teacher (α = 0.9) at T = 4, the usual setting for a small student
 * (Hinton et al. 2015; the KD baseline of Tian et al. 2020). Not tuned on the test split.
 */
export const DEFAULT_DISTILLATION: Distillation = { alpha: 0.9, temperature: 4 };
