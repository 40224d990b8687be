export {loadLiteRt, loadAndCompile, Tensor} from '@litertjs/core';
