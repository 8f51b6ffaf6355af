import { LabIcon } from '@jupyterlab/ui-components';
import bioimageSvg from '../../style/icons/bioimage.svg';

/** The extension's icon: the zoo sidebar tab and launcher items. */
export const bioimageIcon = new LabIcon({
  name: 'jupyterlab-bioimage:bioimage',
  svgstr: bioimageSvg
});
