import { definePreset } from '@primeuix/themes'
import Aura from '@primeuix/themes/aura'

/**
 * Aura with colours that pass WCAG AA (RGAA 3.2/3.3): Aura's emerald-500
 * buttons give white text only 2.5:1, so the primary colour is teal-700
 * (5.5:1), muted text is slate-600 and field borders slate-500 (3:1 against white),
 * and every focusable element gets a visible 2px ring.
 */
export const PortalPreset = definePreset(Aura, {
  primitive: {},
  semantic: {
    primary: {
      50: '{teal.50}',
      100: '{teal.100}',
      200: '{teal.200}',
      300: '{teal.300}',
      400: '{teal.400}',
      500: '{teal.500}',
      600: '{teal.600}',
      700: '{teal.700}',
      800: '{teal.800}',
      900: '{teal.900}',
      950: '{teal.950}'
    },
    focusRing: { width: '2px', style: 'solid', color: '{primary.color}', offset: '2px', shadow: 'none' },
    formField: { focusRing: { width: '2px', style: 'solid', color: '{primary.color}', offset: '1px', shadow: 'none' } },
    colorScheme: {
      light: {
        primary: { color: '{primary.700}', contrastColor: '#ffffff', hoverColor: '{primary.800}', activeColor: '{primary.900}' },
        highlight: { background: '{primary.50}', focusBackground: '{primary.100}', color: '{primary.800}', focusColor: '{primary.900}' },
        text: { color: '{surface.800}', mutedColor: '{surface.600}', hoverColor: '{surface.900}', hoverMutedColor: '{surface.700}' },
        formField: {
          borderColor: '{surface.500}',
          hoverBorderColor: '{surface.600}',
          placeholderColor: '{surface.600}',
          invalidBorderColor: '{red.700}',
          invalidPlaceholderColor: '{red.700}'
        }
      }
    }
  }
})
