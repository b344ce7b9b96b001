// Checks a model's raw JSON topology before tfjs-layers deserializes it. tfjs fails on unknown classes with a
// message that omits the layer's name, and silently ignores some Keras attributes (ReLU's negative_slope and
// threshold), so both are caught here, with the layer's class and name, in nested models too.
import { UnsupportedModelError, unsupportedLayer } from './errors.js';
import { SUPPORTED_CLASSES, SUPPORTED_LAYERS_TEXT } from './lower_layer.js';

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

interface RawLayer {
  class_name?: unknown;
  config?: Record<string, unknown>;
  name?: unknown;
}

function layersOf(modelJson: RawLayer): RawLayer[] {
  const config = modelJson.config as unknown;
  if (Array.isArray(config)) return config as RawLayer[]; // Keras 1/early 2 Sequential: config is the layer list
  const layers = (config as Record<string, unknown> | undefined)?.['layers'];
  return Array.isArray(layers) ? (layers as RawLayer[]) : [];
}

function configValue(config: Record<string, unknown>, snake: string, camel: string): unknown {
  return config[snake] ?? config[camel];
}

/**
 * Throws UnsupportedModelError for the first layer of `modelTopology` (a model.json "modelTopology") that sqz
 * cannot convert: an unknown class, channels-first data, or a ReLU with a negative slope or threshold. The layers of
 * nested models (a Sequential or functional model used as a layer) are checked the same way. Layers it passes still
 * get checked in detail after loading.
 */
export function checkTopology(modelTopology: unknown): void {
  const top = modelTopology as Record<string, unknown>;
  const modelJson = (top['model_config'] ?? top) as RawLayer;
  const modelClass = String(modelJson.class_name ?? '');
  if (!MODEL_CLASSES.has(modelClass)) {
    throw new UnsupportedModelError(
      `model topology class '${modelClass}' is not a Keras Sequential or functional Model; sqz converts layers models only`,
    );
  }
  checkLayers(modelJson, 0);
}

/** Nested models deeper than this are refused (a hostile model.json could nest without end). */
const MAX_NESTING = 32;

function checkLayers(modelJson: RawLayer, depth: number): void {
  for (const layer of layersOf(modelJson)) {
    const cls = String(layer.class_name ?? '?');
    const config = (layer.config ?? {}) as Record<string, unknown>;
    const name = String(config['name'] ?? layer.name ?? '?');
    if (MODEL_CLASSES.has(cls)) {
      if (depth >= MAX_NESTING)
        throw unsupportedLayer(name, cls, `nests models more than ${MAX_NESTING} deep`, 'flatten the model');
      checkLayers(layer, depth + 1);
      continue;
    }
    if (!SUPPORTED_CLASSES.has(cls)) {
      throw unsupportedLayer(name, cls, 'is not supported by sqz', `supported layers: ${SUPPORTED_LAYERS_TEXT}`);
    }
    const dataFormat = configValue(config, 'data_format', 'dataFormat');
    if (dataFormat === 'channels_first' || dataFormat === 'channelsFirst') {
      throw unsupportedLayer(name, cls, 'uses channels-first data', 'sqz needs channels-last (NHWC) layers');
    }
    if (cls === 'ReLU') {
      const slope = Number(configValue(config, 'negative_slope', 'negativeSlope') ?? 0);
      const threshold = Number(configValue(config, 'threshold', 'threshold') ?? 0);
      if (slope !== 0 || threshold !== 0) {
        throw unsupportedLayer(
          name,
          cls,
          `has negative_slope ${slope} and threshold ${threshold}`,
          'sqz supports ReLU only with negative_slope 0 and threshold 0 (max_value may be set)',
        );
      }
    }
  }
}
