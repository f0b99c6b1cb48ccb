"""The training math of gastric-ai-node: torchvision's ResNet50 with the gastric heads, trained on a tensor cache
that the TypeScript side writes with the serving preprocessing (src/training/cache). Everything around the math
(labels, splits, DICOM, packaging, calibration, evaluation) stays in TypeScript."""
