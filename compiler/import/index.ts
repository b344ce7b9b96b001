export { importModel, importModelFromArtifacts, importLayersModel } from './import_model.js';
export { readModelArtifacts } from './model_files.js';
export { ModelFileError, UnsupportedModelError } from './errors.js';
