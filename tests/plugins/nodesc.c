/* nodesc.c - a test module that loads but exports no descriptor: the
 * loader must refuse it by name. */
int nodesc_answer(void);
__attribute__((visibility("default"))) int nodesc_answer(void)
{
	return 42;
}
